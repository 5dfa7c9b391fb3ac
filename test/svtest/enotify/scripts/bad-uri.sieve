require "enotify";

# Not a URI.
notify "stephan@example.org";
# An invalid recipient.
notify "mailto:stephan@@example.org";
# A line break in a header field.
notify "mailto:stephan@example.org?subject=Hi%0D%0AThere";
# Valid.
notify "mailto:stephan@example.org?subject=Hi%20There";
