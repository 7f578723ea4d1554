//! Fixed addressing plan inside one /16.
//!
//! `x.y.0.0/24` is the backbone (operator, mail server and every IPBX); `x.y.N.0/24` is the
//! LAN of site N (its IPBX and its phones). `.1` of each is Docker's gateway.

use std::net::Ipv4Addr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    /// First two octets of the /16.
    pub prefix: [u8; 2],
}

impl Network {
    fn addr(&self, third: u8, fourth: u8) -> Ipv4Addr {
        Ipv4Addr::new(self.prefix[0], self.prefix[1], third, fourth)
    }

    pub fn subnet(&self) -> String {
        format!("{}/16", self.addr(0, 0))
    }

    pub fn backbone_subnet(&self) -> String {
        format!("{}/24", self.addr(0, 0))
    }

    pub fn backbone_gateway(&self) -> Ipv4Addr {
        self.addr(0, 1)
    }

    pub fn operator(&self) -> Ipv4Addr {
        self.addr(0, 2)
    }

    pub fn operator_phones(&self) -> Ipv4Addr {
        self.addr(0, 3)
    }

    pub fn mail(&self) -> Ipv4Addr {
        self.addr(0, 4)
    }

    pub fn ipbx_backbone(&self, site: u8) -> Ipv4Addr {
        self.addr(0, 10 + site)
    }

    pub fn site_subnet(&self, site: u8) -> String {
        format!("{}/24", self.addr(site, 0))
    }

    pub fn site_gateway(&self, site: u8) -> Ipv4Addr {
        self.addr(site, 1)
    }

    /// Site N's LAN without its gateway `.1`, as CIDR blocks: the gateway is
    /// where traffic published on the host comes from, so it is "outside".
    pub fn site_local_nets(&self, site: u8) -> Vec<String> {
        let mut nets = vec![format!("{}/32", self.addr(site, 0))];
        nets.extend((1..8).map(|bits| format!("{}/{}", self.addr(site, 1 << bits), 32 - bits)));
        nets
    }

    pub fn ipbx_lan(&self, site: u8) -> Ipv4Addr {
        self.addr(site, 2)
    }

    pub fn site_phones(&self, site: u8) -> Ipv4Addr {
        self.addr(site, 10)
    }
}
