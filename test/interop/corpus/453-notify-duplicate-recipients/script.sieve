require "enotify";
notify "mailto:carol@example.org";
notify "mailto:dave@example.org?cc=carol@example.org";
