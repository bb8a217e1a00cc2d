return await Contacto.Cli.ContactoCli.InvokeAsync(args, Console.Out, Console.Error);
