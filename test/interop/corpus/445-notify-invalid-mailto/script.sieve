require "enotify";
notify "mailto:carol@@example.org";
