require ["fileinto"];
if allof (anyof (false, not exists "x-none"), not allof (true, false), anyof (not false)) {
  fileinto "yes";
} else {
  fileinto "no";
}
