require "fileinto";
if true {
  if false { fileinto "a"; }
  else {
    if exists "from" { fileinto "b"; }
  }
}
