namespace Contacto;
