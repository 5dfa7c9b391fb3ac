require "ihave";

# RFC 5463 §4: fileinto is supported, so inside the block it counts as required.
if ihave "fileinto" {
	fileinto "Sorted";
}
