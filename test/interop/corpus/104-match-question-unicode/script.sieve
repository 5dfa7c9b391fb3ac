require ["fileinto"];
if header :matches "subject" "caf?" {
  fileinto "one";
}
if header :matches "subject" "caf??" {
  fileinto "two";
}
