require ["fileinto"];
if exists ["from", "x-missing"] {
  fileinto "both";
}
if exists ["from", "to"] {
  fileinto "present";
}
