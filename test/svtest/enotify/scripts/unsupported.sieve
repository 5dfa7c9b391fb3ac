require "enotify";

# The scheme is valid; whether the method exists is known when the script runs.
notify "xmpp:stephan@example.org";
