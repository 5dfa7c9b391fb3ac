require ["reject", "ereject"];

reject "Not for me.";
ereject "Not for me either.";
