require ["fileinto", "envelope"];
if envelope :localpart :is "from" "" {
  fileinto "lp";
}
if envelope :domain :is "from" "" {
  fileinto "dom";
}
if envelope :all :is "from" "" {
  fileinto "all";
}
