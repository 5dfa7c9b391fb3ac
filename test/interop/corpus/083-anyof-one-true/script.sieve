require ["fileinto"];
if anyof (false, exists "x-none", header :is "subject" "Meeting tomorrow") {
  fileinto "yes";
} else {
  fileinto "no";
}
