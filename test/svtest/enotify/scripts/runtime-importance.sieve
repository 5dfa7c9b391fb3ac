require ["enotify", "variables"];

set "level" "5";
notify :importance "${level}" "mailto:stephan@example.org";
