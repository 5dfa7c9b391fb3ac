require ["ereject", "copy"];

ereject "Not for me.";
redirect :copy "postmaster@example.net";
