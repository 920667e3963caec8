local count = 3
if count != 0 then
  print(count)
end
