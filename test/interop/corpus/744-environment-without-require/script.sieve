require "fileinto";
if environment :contains "name" "" {
  fileinto "found";
}
