REQUIRE "fileinto";
If Header :IS "subject" "meeting tomorrow" { FileInto "yes"; } ELSE { Keep; }
