reject "Not accepted.";
