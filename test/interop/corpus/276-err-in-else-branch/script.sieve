if true { keep; }
else {
  frob;
}
