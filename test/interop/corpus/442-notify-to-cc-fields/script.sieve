require "enotify";
notify "mailto:carol@example.org?cc=dave@example.org&to=erin@example.org&subject=New%20mail";
