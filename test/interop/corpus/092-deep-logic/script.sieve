require ["fileinto"];
if not anyof (allof (not anyof (allof (not anyof (false))))) {
  fileinto "yes";
} else {
  fileinto "no";
}
