require ["fileinto"];
if header :is "subject" "Re: héllo world" {
  fileinto "yes";
} else {
  fileinto "no";
}
