using Contacto.CarrierSim;

return await SimulatorCommand.RunAsync(args);
