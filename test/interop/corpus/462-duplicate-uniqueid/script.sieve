require ["duplicate", "fileinto", "variables"];
if header :matches "subject" "*" {
  if duplicate :uniqueid "${1}" { fileinto "Duplicates"; }
}
