require ["vacation", "vacation-seconds"];
if header :contains "subject" "meeting" { vacation :seconds 86400 "On leave."; }
