notify "mailto:carol@example.org";
