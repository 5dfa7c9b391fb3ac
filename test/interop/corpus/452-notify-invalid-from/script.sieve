require "enotify";
notify :from "not an address" "mailto:carol@example.org";
