require "enotify";
notify :importance "1" :message "Important mail" "mailto:carol@example.org";
