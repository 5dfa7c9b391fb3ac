vacation "Away.";
