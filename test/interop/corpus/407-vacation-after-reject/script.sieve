require ["vacation", "reject"];
reject "No thanks.";
vacation "Away.";
