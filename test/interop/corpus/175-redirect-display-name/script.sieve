redirect "Carol <carol@example.net>";
