return await Contacto.Server.ContactoServer.RunAsync(args, Console.Out, Console.Error);
