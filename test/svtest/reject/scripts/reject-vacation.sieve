require ["ereject", "vacation"];

ereject "Not for me.";
vacation "I am away.";
