require ["fileinto"];
if header :matches "subject" "" {
  fileinto "subj";
}
if header :matches "x-empty" "" {
  fileinto "empty";
}
