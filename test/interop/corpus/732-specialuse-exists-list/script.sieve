require ["special-use", "fileinto"];
if specialuse_exists ["\\Junk", "\\Sent"] {
  fileinto "found";
} else {
  fileinto "notfound";
}
