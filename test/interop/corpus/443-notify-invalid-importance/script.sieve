require "enotify";
notify :importance "4" "mailto:carol@example.org";
