require "enotify";

notify :importance "4" "mailto:stephan@example.org";
notify :options ["frop=friep", "=nameless", "novalue"] "mailto:stephan@example.org";
notify :from "not an address" "mailto:stephan@example.org";
notify :importance "1" :options "frop=friep" :from "nico@example.org" "mailto:stephan@example.org";
