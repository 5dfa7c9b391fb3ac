require "enotify";

notify :message ["a", "b"] "mailto:stephan@example.org";
notify :importance 1 "mailto:stephan@example.org";
notify;
