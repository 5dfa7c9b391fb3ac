require "enotify";
notify "xmpp:carol@example.org";
