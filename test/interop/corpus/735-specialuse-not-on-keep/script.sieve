require ["special-use", "fileinto"];
keep :specialuse "\\Junk";
