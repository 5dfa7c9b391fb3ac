require ["enotify", "variables"];

set "to" "stephan@@example.org";
notify "mailto:${to}";
