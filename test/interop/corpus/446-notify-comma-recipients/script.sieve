require "enotify";
notify "mailto:carol@example.org,dave@example.org";
