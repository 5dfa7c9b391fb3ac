# A small filter of the kind webmail editors write.
require ["fileinto", "envelope"];

# rule:[Mailing lists]
if header :contains "list-id" "<announce.example.org>" {
  fileinto "Lists/Announce";
  stop;
}

# rule:[Spam]
if anyof (header :is "x-spam-flag" "YES", header :contains "subject" "[SPAM]") {
  fileinto "Junk";
  stop;
}

# rule:[Boss]
if address :is :domain "from" "example.com" {
  fileinto "Work";
}

# rule:[Large mail]
if size :over 5M {
  fileinto "Large";
}
