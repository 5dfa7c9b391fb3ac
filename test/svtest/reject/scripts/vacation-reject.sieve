require ["reject", "vacation"];

vacation "I am away.";
reject "Not for me.";
