require "fileinto";

if ihave "fileinto" {
	fileinto "Sorted";
}
