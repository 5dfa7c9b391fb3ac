require ["vacation", "fcc"];

vacation :fcc "Sent" :flags "\\Seen" "I am away.";
