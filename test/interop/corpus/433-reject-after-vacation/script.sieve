require ["reject", "vacation"];
vacation "Away.";
reject "Not accepted.";
