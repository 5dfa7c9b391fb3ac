require "ihave";

if ihave "fileinto" {
	fileinto "Sorted";
}

# RFC 5463 §4: only the block of the ihave test gets the extension.
fileinto "Elsewhere";
