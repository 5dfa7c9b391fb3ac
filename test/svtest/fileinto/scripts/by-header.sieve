require "fileinto";
require "variables";

if header :matches "x-folder" "*" {
	set "folder" "${1}";
}
fileinto "${folder}";
