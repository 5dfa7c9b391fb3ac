require ["fileinto"];
if header :contains "subject" "ing tom" {
  fileinto "mid";
}
if header :contains "subject" "tomorrows" {
  fileinto "no";
}
