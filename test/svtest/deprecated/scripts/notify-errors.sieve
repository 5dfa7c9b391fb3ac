require "notify";

notify :options "";
notify :options "frop#frop.example.org";
notify :options "frop@frop.example.org";

if ihave "enotify" { }
