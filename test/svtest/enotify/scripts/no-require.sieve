notify "mailto:stephan@example.org";
