require ["fileinto"];
if header :is "subject" "Grüße" {
  fileinto "is";
}
if header :matches "subject" "Gr??e" {
  fileinto "q";
}
if header :matches "subject" "Gr????e" {
  fileinto "qq";
}
